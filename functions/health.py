"""Lambda handler for the 'health' route group (see serverless.yml)."""

from mangum import Mangum

from shared.http.app import create_app

app = create_app(groups=("health",))
handler = Mangum(app, lifespan="off")
