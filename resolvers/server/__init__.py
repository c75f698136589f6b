"""The local server: `app.create_app(project, store, authenticator, ...)` builds the ASGI app.

Modules: `app` (routes, HTTP and graphql-transport-ws, `ServerCore`), `bindings` (CRUD resolvers over
the store), `guard_wrapping` (every resolve and subscribe wrapped with its guard), `errors`
(AppSync's error shape), `pubsub` (the subscription event bus), `scalars`, `explorer`.
"""
