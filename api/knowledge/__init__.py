"""Knowledge base routes: FAQs, documents, search and suggestions (issue 21)."""
