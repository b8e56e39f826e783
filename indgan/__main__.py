"""``python -m indgan``: the command line (also what ``torchrun -m indgan`` runs)."""

from .cli import main

if __name__ == "__main__":
    main()
