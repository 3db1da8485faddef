"""HTTP front ends: the JSON API, the chat pages, the sign-in pages and the admin console."""
