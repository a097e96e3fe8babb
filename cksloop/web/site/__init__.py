"""The site's own files: favicon, web app manifest, and versioned static URLs with a long cache life."""
