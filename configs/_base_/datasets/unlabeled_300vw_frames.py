# Unlabeled 300VW frames as video pairs, either crop size: two random frames
# of one training video (Sec. 4.1). Boxes come from the 300VW annotations;
# the landmarks are dropped (labeled=False, Eq. 10).
# Data: `python tools/dataset_converters/300vw2coco.py data/300vw data/300vw`
# (the paper uses the 50 training videos, 95,192 frames).
# unlabeled_300vw_{128,256}.py add the crop size's view pipeline.
_base_ = ['./unlabeled_video_pairs.py']

unlabeled_dataset = dict(
    dataset=dict(
        type='SHTFace300VWDataset',
        data_root='data/300vw/',
        ann_file='300vw_train.json',
        labeled=False))
