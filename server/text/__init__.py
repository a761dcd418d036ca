"""Text as fixloop counts it: LSP's line model, tools' columns in code points, line edits."""
