"""`python -m audiowatch` runs the command line."""

from audiowatch.cli import main

if __name__ == "__main__":
    main()
