//! The process-global runtime: create/destroy, the `__RUNTIME` pointer.
