"""Tenants (seed 002): platform admins manage tenants, tenant admins their own tenant."""
