# Unlabeled CelebA faces for "SHT-M-i" (Tables 2-4): image pairs, each view
# a random rotation in (-30, 30) deg and box scale in (0.8, 1.2) of one
# face (Sec. 4.1), 256x256 HR crops. Boxes come from CelebA's 5 landmarks
# (the landmarks themselves are dropped: labeled=False, Eq. 10).
# Mix it into a labeled pair set with LabeledUnlabeledDataset: the
# unlabeled faces then take the labeled set's keypoint layout (K zeros).
_base_ = ['./unlabeled_image_pairs_256.py']

unlabeled_dataset = dict(
    dataset=dict(
        type='SHTCelebADataset', data_root='data/celeba/', raw_split='all'))
