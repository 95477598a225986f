"""Tickets with SLA (seed 003 v2.9): routes, rules and the service behind them."""
