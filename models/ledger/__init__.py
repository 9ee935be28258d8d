"""Ledger declarations and the generic machinery derived from them."""
