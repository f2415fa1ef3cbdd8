# The data of phase 4 of the SHT recipe (Sec. 4.1, Eq. 9-10): batches of
# labeled pairs and unlabeled pairs (no heatmap term for the unlabeled faces),
# read by the "sht_weak" phase (schedules/sht_finetune_40k.py). The
# weakly-supervised bases (_base_/weak_supervision/) set the labeled pairs,
# each row its unlabeled pairs.
#
# Our choice (the paper gives the data, not the mix): half of each batch
# labeled (4 pairs), half unlabeled (4 pairs).
weak_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MixedRatioSampler', batch_size=8, labeled_ratio=0.5),
    collate_fn=dict(type='pair_collate'),
    dataset=dict(
        type='LabeledUnlabeledDataset',
        labeled=dict(),  # the labeled pairs of the SHT row
        unlabeled=dict()))  # the row's unlabeled pairs
