"""Papers: the printed documents of cases and supervision (回执, 登记表, 不予受理通知书, 通报, 工单 …),
all on one A4 layout (`templates/papers/paper.html`) rendered by WeasyPrint (`render.render_paper`)."""
