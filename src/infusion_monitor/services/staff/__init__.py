"""Staff and sign-in: accounts, PINs and roles, sign-in, the author of a record."""
