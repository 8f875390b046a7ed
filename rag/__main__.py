"""`python -m rag` runs the CLI (what the `clinrag` script runs)."""

from rag.cli import main

main()
