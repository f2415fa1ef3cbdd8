# Unlabeled AFLW faces for "SHT-M (+AFLW)" (Table 6): the AFLW training
# images as image pairs, each view a random rotation in (-30, 30) deg and box
# scale in (0.8, 1.2) of one face (Sec. 4.1), 256x256 HR crops. Boxes come
# from mmpose's AFLW json; the 19 landmarks are dropped (labeled=False,
# Eq. 10), so the faces take the labeled set's keypoint layout when mixed.
# Data: mmpose's face_landmarks_aflw_train.json in data/aflw/annotations and
# the images in data/aflw/images (as for aflw.py).
# Mix it into a labeled pair set with LabeledUnlabeledDataset.
_base_ = ['./unlabeled_image_pairs_256.py']

unlabeled_dataset = dict(
    dataset=dict(
        type='SHTAFLWDataset',
        data_root='data/aflw/',
        ann_file='annotations/face_landmarks_aflw_train.json',
        data_prefix=dict(img='images/')))
