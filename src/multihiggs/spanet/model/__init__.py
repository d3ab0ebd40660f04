"""SPA-Net network modules (pure ``nn.Module``s; no file access)."""

from multihiggs.spanet.model.network import NetworkOutputs, SpanetNetwork

__all__ = ["NetworkOutputs", "SpanetNetwork"]
