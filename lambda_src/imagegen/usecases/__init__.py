"""The use cases, one module each, over the services `pipeline.Pipeline` is given:

generation   generate and modify: pick the models, hold the idempotency key, call an image model
storing      store what a model made while the judge looks at it; record the verdicts; answer
evaluation   judge a stored image, record the verdict, defer it, finish a deferred one
gallery      an image as an answer shows it; describe a stored one; upload one made elsewhere
services     the clients, store, settings and clocks they share; the step rule; model choice
"""
