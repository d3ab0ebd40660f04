"""SPA-Net (symmetry preserving attention networks) for resolved + boosted multi-Higgs reconstruction.

Configuration (interchangeable with the reference ``spanet`` package):
    event_info.EventInfo.read(yaml)           event topology, inputs and permutation groups
    options.SpanetOptions.load(json)          options with the reference names (+ a few extensions)
Data, model, loss (no file access outside ``data``):
    data.read_events(h5, event_info)          HDF5 -> EventTensors (features, masks, targets, weights, labels)
    model.SpanetNetwork(event_info, options, class_counts)
    loss.SymmetricLoss(event_info, scales)    min over the event permutation group
Reconstruction in numpy only (``decoding``, which the ONNX export ships with the model; docs/portable_decoding.md):
    decoding.decode_assignments(probabilities, inputs[, detection])
    decoding.reconstruct_higgs(assignment, detection, sources, slots, directions, ...) -> ReconstructedHiggs
    decoding.decode_outputs(onnx_outputs, metadata, directions) -> ReconstructedHiggs
    postprocess.combine_boosted_resolved(resolved, boosted, jet/fat-jet eta/phi, method=...) -> Predictions
        (the boosted + resolved step, also applied to imported reference SPANet predictions)
Command lines: ``python -m multihiggs.spanet.train | predict | export`` (see each module).
"""
