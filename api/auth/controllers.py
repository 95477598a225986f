"""Auth routes: `/api/auth/*` for store staff, `/api/agent/*` for agents (seed 003 shapes).

Controllers translate HTTP to service calls and back; the rules live in `AuthService`.
"""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.openapi.spec import SecurityRequirement
from litestar.params import Parameter

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.auth.guards import any_user, customer_service
from api.auth.schemas import (
    AgentLogin,
    AgentLoginResponse,
    AgentProfileResponse,
    ChangePassword,
    LoginResponse,
    MeResponse,
    MessageResponse,
    PasswordChanged,
    ProfileUpdate,
    RefreshRequest,
    RefreshResponse,
    StaffLogin,
    StatusUpdate,
    UserOut,
    login_payload,
)
from api.auth.services import AuthService, ClientInfo, Principal
from api.errors import error_responses

BEARER: list[SecurityRequirement] = [{"BearerToken": []}]
PUBLIC = {"exclude_from_auth": True}


class AuthController(Controller):
    path = "/api/auth"
    tags = ("auth",)  # type: ignore[assignment]
    dependencies = AUTH_DEPENDENCIES  # type: ignore[assignment]

    @post(
        "/login",
        status_code=200,
        opt=PUBLIC,
        summary="Store staff login (employee code + password)",
        description="Same service as `/api/agent/login`. Unknown code and wrong password give the "
        "same 401 INVALID_CREDENTIALS; the 5th failure in a row locks the account for 15 min "
        "(423 ACCOUNT_LOCKED, with `Retry-After`).",
        responses=error_responses(401, 403, 422, 423),
    )
    async def login(self, data: StaffLogin, auth: AuthService, client: ClientInfo) -> LoginResponse:
        user, tokens = await auth.login(data.employee_code, data.password, client)
        return LoginResponse(data=login_payload(user, tokens))

    @post(
        "/refresh",
        status_code=200,
        opt=PUBLIC,
        summary="New access token from a refresh token",
        responses=error_responses(401, 422),
    )
    async def refresh(self, data: RefreshRequest, auth: AuthService) -> RefreshResponse:
        return RefreshResponse.of(*await auth.refresh(data.refresh_token))

    @post(
        "/logout",
        status_code=200,
        guards=[any_user],
        security=BEARER,
        summary="Log out: revokes this token and every token of the same login",
        responses=error_responses(401),
    )
    async def logout(
        self, auth: AuthService, principal: Principal, client: ClientInfo
    ) -> MessageResponse:
        await auth.logout(principal, client)
        return MessageResponse(message="登出成功")

    @get(
        "/me",
        guards=[any_user],
        security=BEARER,
        summary="The caller's account",
        responses=error_responses(401),
    )
    async def me(self, auth: AuthService, principal: Principal) -> MeResponse:
        return MeResponse(data=UserOut.of(await auth.me(principal)))

    @post(
        "/change-password",
        status_code=200,
        guards=[any_user],
        security=BEARER,
        summary="Change the caller's password (revokes every older token)",
        description="Errors (400): OLD_PASSWORD_INCORRECT, INVALID_PASSWORD (≥ 8 chars with "
        "letters and digits), PASSWORD_SAME. The answer carries a fresh token pair.",
        responses=error_responses(400, 401, 422),
    )
    async def change_password(
        self, data: ChangePassword, auth: AuthService, principal: Principal
    ) -> PasswordChanged:
        tokens = await auth.change_password(principal, data.old_password, data.new_password)
        return PasswordChanged.of(tokens)


class AgentController(Controller):
    """Seed 003 v2.3-v2.8 agent routes; agents and admins."""

    path = "/api/agent"
    tags = ("agent auth",)  # type: ignore[assignment]
    dependencies = AUTH_DEPENDENCIES  # type: ignore[assignment]

    @post(
        "/login",
        status_code=200,
        opt=PUBLIC,
        summary="Agent login (seed 003 v2.3 shape)",
        responses=error_responses(401, 403, 422, 423),
    )
    async def login(
        self, data: AgentLogin, auth: AuthService, client: ClientInfo
    ) -> AgentLoginResponse:
        user, tokens = await auth.login(data.username, data.password, client)
        return AgentLoginResponse(
            token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_in=tokens.expires_in,
            agent=UserOut.of(user),
        )

    @post(
        "/refresh",
        status_code=200,
        opt=PUBLIC,
        summary="New access token (seed 003 v2.3)",
        responses=error_responses(401, 422),
    )
    async def refresh(self, data: RefreshRequest, auth: AuthService) -> RefreshResponse:
        return RefreshResponse.of(*await auth.refresh(data.refresh_token))

    @post(
        "/logout",
        status_code=200,
        guards=[customer_service],
        security=BEARER,
        summary="Agent logout: status offline, tokens of this login revoked",
        responses=error_responses(401, 403),
    )
    async def logout(
        self, auth: AuthService, principal: Principal, client: ClientInfo
    ) -> MessageResponse:
        await auth.logout(principal, client)
        return MessageResponse(message="登出成功")

    @get(
        "/profile",
        guards=[customer_service],
        security=BEARER,
        summary="An agent's profile (seed 003): `username`, else the caller's",
        description="404 AGENT_NOT_FOUND for a username that is no active agent or admin.",
        responses=error_responses(400, 401, 403, 404),
    )
    async def profile(
        self,
        auth: AuthService,
        principal: Principal,
        username: str | None = Parameter(default=None, min_length=1, max_length=64),
    ) -> AgentProfileResponse:
        user = await auth.agent_profile(principal, username)
        return AgentProfileResponse(agent=UserOut.of(user))

    @put(
        "/profile",
        guards=[customer_service],
        security=BEARER,
        summary="Edit the calling agent's name and avatar (seed 003 v2.8)",
        description="Only `name` and `avatar_url`; any other field is refused (422), an empty "
        "body is 400 NO_FIELDS_TO_UPDATE.",
        responses=error_responses(400, 401, 403, 422),
    )
    async def update_profile(
        self, data: ProfileUpdate, auth: AuthService, principal: Principal
    ) -> AgentProfileResponse:
        user = await auth.update_profile(principal, name=data.name, avatar_url=data.avatar_url)
        return AgentProfileResponse(agent=UserOut.of(user))

    @put(
        "/status",
        guards=[customer_service],
        security=BEARER,
        summary="Set the calling agent's status: online, busy or offline",
        responses=error_responses(400, 401, 403, 422),
    )
    async def set_status(
        self, data: StatusUpdate, auth: AuthService, principal: Principal
    ) -> AgentProfileResponse:
        user = await auth.set_status(principal, data.status)
        return AgentProfileResponse(agent=UserOut.of(user))

    @post(
        "/change-password",
        status_code=200,
        guards=[customer_service],
        security=BEARER,
        summary="Change the calling agent's password (seed 003 v2.7)",
        responses=error_responses(400, 401, 403, 422),
    )
    async def change_password(
        self, data: ChangePassword, auth: AuthService, principal: Principal
    ) -> PasswordChanged:
        tokens = await auth.change_password(principal, data.old_password, data.new_password)
        return PasswordChanged.of(tokens)
