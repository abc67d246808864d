"""Commands below the routes: what a person may ask for (``bodies``), the command each request
becomes for its caller on the live picture (``orders``, ``mutual_aid``), and its submission
through the spine with the outcome as an answer or a refusal (``submission``).

Nothing here speaks HTTP or writes the audit log: api.routes parses the request, calls in
here, and maps the answer (or the refusal, with its status and reason) to the response,
auditing it.
"""
