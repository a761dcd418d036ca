"""Running tool processes and cleaning up after them.

One run of a tool (run), a tool process that outlives a check (longlived), the
record of their process groups that the next fixloop reaps (reaper), folders named
after the process that owns them (private), and a language server driven over its
pipes (jsonrpc, langserver, watch). Errors are `fixloop.verifiers.base.VerifierError`:
what a verifier's caller catches when a tool gives no verdict.
"""
