use rayforce::{Runtime, TcpClient};

fn main() -> rayforce::Result<()> {
    let _rt = Runtime::new()?;

    // Connect to a server started with: rayforce -p 5000
    let client = TcpClient::connect("127.0.0.1", 5000, "", "")?;

    // Run a query remotely.
    let result = client.execute("(+ 1 2)")?;
    println!("server says: {}", result.as_i64()?);

    // The connection closes automatically when `client` is dropped.
    Ok(())
}
