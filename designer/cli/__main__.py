"""`python -m designer.cli`: the same as the `loanstudio` command."""

from designer.cli import main

main()
