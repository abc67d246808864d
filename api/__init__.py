"""The HTTP face of Bluelamp: FastAPI app factory, sign-in, REST, WebSocket, audit."""
