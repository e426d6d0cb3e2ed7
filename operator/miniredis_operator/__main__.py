"""`python -m miniredis_operator`: the same as the `miniredis-operator` console script."""

from miniredis_operator.cli import main

main()
