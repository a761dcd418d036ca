"""Shadow copies of a workspace: candidates are checked there, never in the user's files.

`mirror`: the warm mirror tsc, cargo and go check candidates in, kept for a verifier's
life. `tree`: a throwaway symlink tree per candidate, for the test gate. (mypy's shadow
files are written by the mypy verifier itself, next to its `--shadow-file` argv.)
"""
