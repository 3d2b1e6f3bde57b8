//! Command-line options of the `rayforce` binary: parsing and the usage
//! text. Owns nothing else (no I/O beyond `-h`).

pub const USAGE: &str = "usage: rayforce [-p PORT] [-u PW | -U PW] [-i] [-f file.rfl | file.rfl] [-h]
  -p, --port PORT         serve IPC clients on PORT (all interfaces; 0: any free port)
  -u PW                   clients must send this password
  -U PW                   as -u, and every client is read-only
  -i, --interactive       start the REPL even after running a script
  -f, --file FILE         run this script first (or pass it as the last argument)
  -h, --help              this help

With no script, rayforce reads expressions from stdin: a REPL on a terminal
(history in ~/.rayforce_history), one result per line when piped.
When stdin and stdout are both not terminals, -p serves only.";

#[derive(Default, Debug, PartialEq)]
pub struct Options {
    /// `-p`: the address to listen on, `PORT` or `HOST:PORT`.
    pub listen: Option<String>,
    pub password: Option<String>,
    pub read_only: bool,
    pub interactive: bool,
    pub script: Option<String>,
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
            "-i" | "--interactive" => o.interactive = true,
            "-f" | "--file" => o.script = Some(args.next().ok_or("-f needs a file")?),
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option {s}")),
            // As the reference: the last script named wins.
            s => o.script = Some(s.to_string()),
        }
    }
    Ok(Command::Run(o))
}

/// `PORT` or `HOST:PORT` with a port in 0..=65535 (0: any free port).
fn check_listen(addr: &str) -> Result<(), String> {
    let port = addr.rsplit_once(':').map_or(addr, |(host, port)| if host.is_empty() { "" } else { port });
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
        for bad in ["abc", "99999", "127.0.0.1:x", ":5000", "-1"] {
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
        assert_eq!(run(&["-h", "-x"]), Err("help".into()));
    }
}
