//! IPC wire: handshake and 16-byte frame header, frame check then parse.
