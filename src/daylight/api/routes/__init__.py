"""The service's routes, one ``APIRouter`` per area, each route calling one flow; registered in
``daylight.api.app.create_app``."""
