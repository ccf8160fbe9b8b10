"""Intents as events on an MQTT broker (Hermes shape), and skills that answer from the broker."""

from .hub import Hub, close_hubs, hub_for

__all__ = ["Hub", "close_hubs", "hub_for"]
