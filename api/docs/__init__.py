"""The offline API docs page: Swagger UI served from the installed package, no CDN."""
