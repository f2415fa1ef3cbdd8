# Keypoint meta information of CelebA's 5 landmarks, in the format of
# mmpose's dataset metainfo files (read with ``dict(from_file=...)``).
# Order as in list_landmarks[_align]_celeba.txt; "left" is the image left.
dataset_info = dict(
    dataset_name='celeba',
    paper_info=dict(
        author='Liu, Ziwei and Luo, Ping and Wang, Xiaogang and Tang, Xiaoou',
        title='Deep Learning Face Attributes in the Wild',
        container='Proceedings of International Conference on Computer '
        'Vision (ICCV)',
        year='2015',
        homepage='https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html',
    ),
    keypoint_info={
        0: dict(name='lefteye', id=0, color=[255, 0, 0], type='upper',
                swap='righteye'),
        1: dict(name='righteye', id=1, color=[255, 0, 0], type='upper',
                swap='lefteye'),
        2: dict(name='nose', id=2, color=[0, 255, 0], type='upper', swap=''),
        3: dict(name='leftmouth', id=3, color=[0, 0, 255], type='lower',
                swap='rightmouth'),
        4: dict(name='rightmouth', id=4, color=[0, 0, 255], type='lower',
                swap='leftmouth'),
    },
    skeleton_info={},
    joint_weights=[1.] * 5,
    sigmas=[])
