"""The RealWorld request and response bodies: envelopes (`{"user": ...}`),
camelCase names, and the native field types, so that every limit and check
is the native API's."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    MISSING,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from src.auth.schemas import AnyPassword, Bio, NewPassword, Username, Website
from src.comments.schemas import CommentContent
from src.posts.schemas import Description, PostContent, Title
from src.schemas import CustomModel, StorableText, example
from src.tags.schemas import TagList


def _milliseconds(value: datetime) -> str:
    # RealWorld clients (and its test suite) expect fractional seconds.
    return (
        value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


type ConduitTime = Annotated[
    datetime,
    PlainSerializer(_milliseconds, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class ConduitModel(CustomModel):
    """RealWorld's camelCase names on the wire (aliases), snake_case here.
    Unknown fields are ignored, not refused: RealWorld front ends send back
    what they were given (`token`, `id`)."""

    model_config = ConfigDict(extra="ignore")


class ConduitRequest(ConduitModel, StorableText):
    """A request body: text no database can store (NUL) is refused, as on
    the native API."""


# Requests


class LoginUser(ConduitRequest):
    email: Annotated[str, Field(min_length=1, max_length=320)]
    password: AnyPassword


class NewUser(ConduitRequest):
    username: Username
    email: EmailStr = Field(max_length=320)
    password: NewPassword


# Fields a RealWorld settings form sends as "" when left alone.
_BLANK_MEANS_UNCHANGED = ("email", "username", "password", "image")


class UpdateUser(ConduitRequest):
    """Fields absent, or `""` for email, username, password and image, are
    left as they are; `image: null` removes the picture."""

    email: EmailStr | MISSING = MISSING
    username: Username | MISSING = MISSING
    password: NewPassword | MISSING = MISSING
    bio: Bio | MISSING = MISSING
    image: Website | MISSING | None = MISSING

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unchanged(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                name: value
                for name, value in data.items()
                if not (name in _BLANK_MEANS_UNCHANGED and value == "")
            }
        return data


class NewArticle(ConduitRequest):
    title: Title
    description: Description
    body: PostContent
    tag_list: TagList = Field(default_factory=list, alias="tagList")


class UpdateArticle(ConduitRequest):
    title: Title | MISSING = MISSING
    description: Description | MISSING = MISSING
    body: PostContent | MISSING = MISSING
    tag_list: TagList | MISSING = Field(default=MISSING, alias="tagList")


class NewComment(ConduitRequest):
    body: CommentContent


class LoginRequest(ConduitRequest):
    model_config = example(
        user={"email": "ada@example.com", "password": "Analytical-Engine-1843"}
    )

    user: LoginUser


class NewUserRequest(ConduitRequest):
    model_config = example(
        user={
            "username": "ada",
            "email": "ada@example.com",
            "password": "Analytical-Engine-1843",
        }
    )

    user: NewUser


class UpdateUserRequest(ConduitRequest):
    model_config = example(user={"bio": "Poetical science."})

    user: UpdateUser


class NewArticleRequest(ConduitRequest):
    model_config = example(
        article={
            "title": "How to train your dragon",
            "description": "Ever wonder how?",
            "body": "Very carefully.",
            "tagList": ["dragons", "training"],
        }
    )

    article: NewArticle


class UpdateArticleRequest(ConduitRequest):
    model_config = example(article={"body": "With two hands"})

    article: UpdateArticle


class NewCommentRequest(ConduitRequest):
    model_config = example(comment={"body": "Thank you so much!"})

    comment: NewComment


# Responses


class ConduitUser(ConduitModel):
    email: str
    token: str
    username: str
    bio: str
    image: str | None


class Profile(ConduitModel):
    username: str
    bio: str
    image: str | None
    following: bool


class ArticleSummary(ConduitModel):
    """An article in a list: everything but its body."""

    slug: str
    title: str
    description: str
    tag_list: list[str] = Field(alias="tagList")
    created_at: ConduitTime = Field(alias="createdAt")
    updated_at: ConduitTime = Field(alias="updatedAt")
    favorited: bool
    favorites_count: int = Field(alias="favoritesCount")
    author: Profile


class Article(ArticleSummary):
    body: str


class Comment(ConduitModel):
    id: str
    created_at: ConduitTime = Field(alias="createdAt")
    updated_at: ConduitTime = Field(alias="updatedAt")
    body: str
    author: Profile


class UserEnvelope(ConduitModel):
    user: ConduitUser


class ProfileEnvelope(ConduitModel):
    profile: Profile


class ArticleEnvelope(ConduitModel):
    article: Article


class ArticlesEnvelope(ConduitModel):
    articles: list[ArticleSummary]
    articles_count: int = Field(alias="articlesCount")


class CommentEnvelope(ConduitModel):
    comment: Comment


class CommentsEnvelope(ConduitModel):
    comments: list[Comment]


class TagsEnvelope(ConduitModel):
    tags: list[str]
