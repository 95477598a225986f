"""CRM back-office system: customers, their lines, and the eligibility rules."""
