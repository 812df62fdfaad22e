"""The pages people use in a browser: server-rendered HTML over the same domain services as the API.

`casework.web.pages.setup.install(app)` registers them; each module holds one group of pages.
"""
