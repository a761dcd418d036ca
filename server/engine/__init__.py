"""The engine: checks, fix loops, reply parsing and the gate (no LSP, no HTTP)."""
