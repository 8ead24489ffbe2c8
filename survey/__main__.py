"""`python -m survey` runs the command line."""

from survey.cli import main

main()
