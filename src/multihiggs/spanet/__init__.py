"""SPA-Net (symmetry preserving attention networks) for resolved + boosted multi-Higgs reconstruction.

Configuration (interchangeable with the reference ``spanet`` package):
    event_info.EventInfo.read(yaml)           event topology, inputs and permutation groups
    options.SpanetOptions.load(json)          options with the reference names (+ a few extensions)
Data, model, loss (no file access outside ``data``):
    data.read_events(h5, event_info)          HDF5 -> EventTensors (features, masks, targets, weights, labels)
    model.SpanetNetwork(event_info, options, class_counts)
    loss.SymmetricLoss(event_info, scales)    min over the event permutation group
Method-agnostic reconstruction (also used by the baselines):
    decoding.decode_assignments(probabilities, inputs[, detection])
    postprocess.combine_boosted_resolved(resolved, boosted, jet/fat-jet eta/phi, method=...) -> Predictions
Command lines: ``python -m multihiggs.spanet.train | predict | export`` (see each module).
"""
