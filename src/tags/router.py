from fastapi import APIRouter

from src.pagination import Page, PaginationDep
from src.tags import service
from src.tags.schemas import TagResponse
from src.web.dependencies import ReadBindDep

router = APIRouter(prefix="/tags", tags=["Tags"])


@router.get(
    "",
    summary="List tags",
    description="By their number of published posts, most used first; a tag "
    "with no post left is not listed. A tag's count can change between two "
    "pages, and the tag move with it.",
)
async def list_tags(pagination: PaginationDep, bind: ReadBindDep) -> Page[TagResponse]:
    page = await service.list_tags(bind, pagination=pagination)
    return Page[TagResponse].create(
        [TagResponse(name=row.name, posts_count=row.posts_count) for row in page.items],
        page,
        pagination,
    )
