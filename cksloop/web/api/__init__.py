"""The JSON API: authentication, routes, OpenAPI document, serializers."""
