"""The staff's AI side chat during a renewal (from step 5): a tool-calling agent over the
read-only back-office tools, on its own thread so it never moves the workflow."""
