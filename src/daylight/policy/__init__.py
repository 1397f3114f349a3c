"""The policy layer: the service catalog (services, operations, capabilities, provider events);
Cedar policies, decisions and audit build on it."""
