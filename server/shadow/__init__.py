"""Shadow copies of a workspace: candidates are checked there, never in the user's files."""
