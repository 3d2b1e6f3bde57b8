//! IPC transport: buffered frame I/O, the blocking client, the poll server.
