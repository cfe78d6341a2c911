"""One ninja router per app: federation, record, tokens."""
