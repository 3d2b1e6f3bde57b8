//! Command-line options of the `rayforce` binary: parsing and the usage
//! text. Owns nothing else (no I/O beyond `-h`).

pub const USAGE: &str =
    "usage: rayforce [-p [HOST:]PORT] [-u PW | -U PW] [-v] [-i] [-c N] [-t N] [-m SIZE] [-f file.rfl | file.rfl] [-h] [-- app args]
  -p, --port [HOST:]PORT  serve IPC clients on PORT (0: any free port), on every
                          interface, or only on HOST (127.0.0.1, [::1], localhost)
  -u PW                   clients must send this password
  -U PW                   as -u, and every client is read-only
  -v, --log-connections   one stderr line per connection opened, closed or refused
  -l B                    journal every IPC request to B.log (replayed at start)
  -L B                    as -l, and answer only once the request is fsynced
  --journal-truncate      start even when B.log has a damaged frame: cut it there
  -i, --interactive       start the REPL even after running a script
  -c, --cores N           cores a query may use (0: the machine's, at most 8)
  -t, --timeit N          N != 0: print each REPL result's time (as .sys.timeit)
  -m, --mem SIZE          memory budget (4G, 512M, 1024K or bytes; 0: none): a
                          query that would pass it fails with oom (nothing
                          spills to disk); default 80% of RAM or cgroup limit
  -f, --file FILE         run this script first (or pass it as the last argument)
  -h, --help              this help
  --                      the rest is for the application: (.sys.args) reads
                          `-key value` pairs from it

With no script, rayforce reads expressions from stdin: a REPL on a terminal
(history in ~/.rayforce_history), one result per line when piped.
When stdin and stdout are both not terminals, -p serves only.";

#[derive(Default, Debug, PartialEq)]
pub struct Options {
    /// `-p`: the address to listen on, `PORT` or `HOST:PORT`.
    pub listen: Option<String>,
    pub password: Option<String>,
    pub read_only: bool,
    /// `-v`: log connections on stderr.
    pub log_connections: bool,
    pub interactive: bool,
    pub script: Option<String>,
    /// `-l B` (async) or `-L B` (sync): the journal's base path.
    pub journal: Option<(rayforce::journal::Mode, String)>,
    pub journal_truncate: bool,
    /// `-c`: cores a query may use (0: automatic).
    pub cores: usize,
    /// `-t N` with N != 0: time every REPL result.
    pub timeit: bool,
    /// `-m`: the memory budget in bytes (0: unlimited); None: the default.
    pub mem_budget: Option<usize>,
    /// Everything after `--`, for `(.sys.args)`.
    pub app_args: Vec<String>,
}

/// What the command line asks for: run with options, or print the usage.
#[derive(Debug, PartialEq)]
pub enum Command {
    Run(Options),
    Help,
}

pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut o = Options::default();
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-p" | "--port" => {
                let p = args.next().ok_or("-p needs a port (PORT or HOST:PORT)")?;
                check_listen(&p)?;
                o.listen = Some(p);
            }
            "-u" | "-U" => {
                o.password = Some(args.next().ok_or(format!("{a} needs a password"))?);
                o.read_only = a == "-U";
            }
            "-v" | "--log-connections" => o.log_connections = true,
            "-l" | "-L" => {
                let base = args.next().filter(|b| !b.is_empty()).ok_or(format!("{a} needs a journal base path"))?;
                let mode = if a == "-L" { rayforce::journal::Mode::Sync } else { rayforce::journal::Mode::Async };
                o.journal = Some((mode, base));
            }
            "--journal-truncate" => o.journal_truncate = true,
            "-i" | "--interactive" => o.interactive = true,
            "-c" | "--cores" => {
                let n = args.next().ok_or("-c needs a number of cores (0: automatic)")?;
                o.cores = n
                    .parse::<usize>()
                    .ok()
                    .filter(|&c| c <= rayforce::ops::par::MAX_CORES)
                    .ok_or(format!("bad core count: {n} (0 to {})", rayforce::ops::par::MAX_CORES))?;
            }
            "-t" | "--timeit" => {
                let n = args.next().ok_or("-t needs 0 or 1")?;
                o.timeit = n.parse::<i64>().map_err(|_| format!("bad -t value: {n} (0 or 1)"))? != 0;
            }
            "-m" | "--mem" => {
                let size = args.next().ok_or("-m needs a size (4G, 512M, 1024K or bytes)")?;
                let bytes = rayforce::core::alloc::parse_size(&size)
                    .ok_or(format!("bad size: {size} (4G, 512M, 1024K or bytes)"))?;
                o.mem_budget = Some(bytes);
            }
            "-f" | "--file" => o.script = Some(args.next().ok_or("-f needs a file")?),
            "--" => {
                o.app_args = args.by_ref().collect();
                break;
            }
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option {s}")),
            // As the reference: the last script named wins.
            s => o.script = Some(s.to_string()),
        }
    }
    Ok(Command::Run(o))
}

/// What `(.sys.args)` reports of these options.
pub fn launch(o: &Options) -> rayforce::runtime::launch::Launch {
    let port = o.listen.as_deref().map_or(0, |a| a.rsplit_once(':').map_or(a, |(_, p)| p).parse().unwrap_or(0));
    rayforce::runtime::launch::Launch {
        file: o.script.clone().unwrap_or_default(),
        port,
        cores: o.cores as i64,
        log: o.journal.as_ref().map(|(_, base)| base.clone()).unwrap_or_default(),
        interactive: o.interactive,
        user: rayforce::runtime::launch::user_pairs(&o.app_args),
    }
}

/// `PORT` or `HOST:PORT` with a port in 0..=65535 (0: any free port). The
/// host is resolved when the server starts (`net::server::listen_addrs`).
fn check_listen(addr: &str) -> Result<(), String> {
    let port = addr.rsplit_once(':').map_or(addr, |(_, port)| port);
    port.parse::<u16>().map(|_| ()).map_err(|_| format!("bad port: {addr} (PORT or HOST:PORT)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Options, String> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Command::Run(o) => Ok(o),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn ports_and_addresses() {
        assert_eq!(run(&["-p", "5000"]).unwrap().listen.as_deref(), Some("5000"));
        assert_eq!(run(&["--port", "127.0.0.1:5000"]).unwrap().listen.as_deref(), Some("127.0.0.1:5000"));
        assert_eq!(run(&["-p", "[::1]:0"]).unwrap().listen.as_deref(), Some("[::1]:0"));
        assert_eq!(run(&["-p", "*:5000"]).unwrap().listen.as_deref(), Some("*:5000"));
        assert!(run(&["-v", "-p", "1"]).unwrap().log_connections);
        assert!(!run(&["-p", "1"]).unwrap().log_connections);
        for bad in ["abc", "99999", "127.0.0.1:x", "127.0.0.1:", "-1"] {
            assert!(run(&["-p", bad]).is_err(), "{bad}");
        }
        assert!(run(&["-p"]).is_err());
    }

    #[test]
    fn scripts_passwords_and_help() {
        let o = run(&["-U", "pw", "-i", "a.rfl", "b.rfl"]).unwrap();
        assert_eq!((o.password.as_deref(), o.read_only, o.interactive), (Some("pw"), true, true));
        assert_eq!(o.script.as_deref(), Some("b.rfl"));
        assert_eq!(run(&["-f", "x.rfl"]).unwrap().script.as_deref(), Some("x.rfl"));
        assert_eq!(run(&["-x"]), Err("unknown option -x".into()));
        assert_eq!(run(&["-m", "4G"]).unwrap().mem_budget, Some(4 << 30));
        assert_eq!(run(&["--mem", "512M"]).unwrap().mem_budget, Some(512 << 20));
        assert_eq!(run(&["-m", "1000"]).unwrap().mem_budget, Some(1000));
        assert_eq!(run(&["-p", "1"]).unwrap().mem_budget, None);
        assert!(run(&["-m", "lots"]).is_err());
        assert!(run(&["-m"]).is_err());
        assert_eq!(run(&["-h", "-x"]), Err("help".into()));
        let o = run(&["-c", "4", "--timeit", "1"]).unwrap();
        assert_eq!((o.cores, o.timeit), (4, true));
        assert!(!run(&["-t", "0"]).unwrap().timeit);
        assert!(run(&["-c", "-1"]).is_err() && run(&["-c", "999"]).is_err() && run(&["-t", "x"]).is_err());
        let o = run(&["a.rfl", "--", "-x", "1", "-p", "z"]).unwrap();
        assert_eq!((o.script.as_deref(), o.listen, o.app_args), (Some("a.rfl"), None, vec!["-x".into(), "1".into(), "-p".into(), "z".into()]));
    }

    #[test]
    fn journals() {
        use rayforce::journal::Mode;
        let o = run(&["-L", "db/b", "--journal-truncate"]).unwrap();
        assert_eq!(o.journal, Some((Mode::Sync, "db/b".to_string())));
        assert!(o.journal_truncate);
        assert_eq!(run(&["-l", "b"]).unwrap().journal, Some((Mode::Async, "b".to_string())));
        assert!(run(&["-l"]).is_err());
    }
}
