# Unlabeled video pairs, either crop size: two random frames of one video
# (Sec. 4.1). unlabeled_<source>_*.py add the frames' source and the crop
# size's view pipeline (unlabeled_video_views_256.py at 256x256).
# Only `unlabeled_*` names are defined, so a file built on this one can be a
# base beside a labeled dataset base.
unlabeled_dataset = dict(
    type='FacePairDataset',
    pair_mode='video',
    # Skip reading every frame's header at start-up; LoadFaceImage still
    # names a missing or broken file.
    dataset=dict(check_images=False))
