from qa.writer import cite


def test_marker_goes_inside_the_final_punctuation():
    assert cite("it grew by 31.5%", 1) == "It grew by 31.5% [1]."
    assert cite("Huawei and ZTE were swiped.", 2) == "Huawei and ZTE were swiped [2]."
    assert cite("called it the “central threat of our times.”", 1) == "Called it the “central threat of our times.” [1]"
    assert cite("first,  second,\n", 1) == "First, second [1]."
