"""Store statistics (seed 000 section 3.4 and 7.3) with CSV export."""
