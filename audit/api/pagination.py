from coordination.api.pagination import NewestFirstCursorPagination


class NewestEventFirst(NewestFirstCursorPagination):
    ordering = ("-id",)
