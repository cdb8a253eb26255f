"""REST API of the rapporteur's statistics: the same services and selectors as the pages.

Builds (list, request, one build's figures) and uploaded sources (list,
upload). Figures only: no endpoint returns a record, an encoding or an
identity; an uploaded source answers with its counts, never its records.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from samverkan.cases.api import ERRORS, StrictSerializer
from samverkan.statistics import selectors, services
from samverkan.statistics.disclosure import DEFAULT_MINIMUM
from samverkan.statistics.forms import SourceUploadForm
from samverkan.statistics.models import DEFAULT_MATCH_THRESHOLD, ExternalSource, StatisticsRun


class BuildInputSerializer(StrictSerializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    minimum_cell = serializers.IntegerField(required=False, default=DEFAULT_MINIMUM)
    match_threshold = serializers.FloatField(required=False, default=DEFAULT_MATCH_THRESHOLD)
    epsilon = serializers.FloatField(required=False, allow_null=True, default=None)


class RunSerializer(serializers.ModelSerializer):
    error = serializers.CharField(read_only=True)

    class Meta:
        model = StatisticsRun
        fields = [
            "uuid",
            "country",
            "period_start",
            "period_end",
            "minimum_cell",
            "match_threshold",
            "epsilon",
            "status",
            "progress",
            "stage",
            "error",
            "error_code",
            "requested_at",
            "published_at",
        ]


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    group = serializers.CharField()
    rows = serializers.ListField(child=serializers.CharField())
    columns = serializers.ListField(child=serializers.CharField())
    labels = serializers.ListField(child=serializers.CharField())
    cells = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(allow_null=True))
    )
    row_totals = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    column_totals = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    total = serializers.IntegerField(allow_null=True)
    minimum = serializers.IntegerField()


class RunFiguresSerializer(RunSerializer):
    persons = serializers.SerializerMethodField()
    records = serializers.SerializerMethodField()
    ratio = serializers.SerializerMethodField()
    linked = serializers.SerializerMethodField()
    tables = serializers.SerializerMethodField()

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "persons", "records", "ratio", "linked", "tables"]

    def _figure(self, run, name):
        return (run.figures or {}).get(name)

    def get_persons(self, run) -> int | None:
        return self._figure(run, "persons")

    def get_records(self, run) -> int | None:
        return self._figure(run, "records")

    def get_ratio(self, run) -> float | None:
        return self._figure(run, "ratio")

    def get_linked(self, run) -> bool | None:
        return self._figure(run, "linked")

    @extend_schema_field(TableSerializer(many=True))
    def get_tables(self, run) -> list[dict]:
        return TableSerializer(selectors.labelled_tables(run), many=True).data


class RunListView(generics.ListAPIView):
    """The builds of your country; requesting a new one."""

    serializer_class = RunSerializer
    parser_classes = [JSONParser]

    @property
    def policy_action(self) -> str:
        return "statistics.build" if self.request.method == "POST" else "statistics.view"

    def get_queryset(self):
        return selectors.run_list(self.request.membership)

    @extend_schema(
        summary="Queue a build of the figures for a period",
        request=BuildInputSerializer,
        responses={202: RunSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = BuildInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.statistics_run_request(actor=request.membership, **serializer.validated_data)
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetailView(APIView):
    """One build: its progress and, once published, its figures after disclosure control."""

    policy_action = "statistics.view"

    @extend_schema(responses={200: RunFiguresSerializer, **ERRORS})
    def get(self, request, run_uuid):
        run = selectors.run_get(request.membership, run_uuid)
        return Response(RunFiguresSerializer(run).data)


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExternalSource
        fields = [
            "uuid",
            "name",
            "agency_kind",
            "period_start",
            "period_end",
            "schema_version",
            "bits",
            "record_count",
            "uploaded_at",
        ]


class SourceInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    file = serializers.FileField(max_length=None)

    def validate_file(self, upload):
        if upload.size > SourceUploadForm.MAX_BYTES:
            raise serializers.ValidationError(SourceUploadForm.TOO_LARGE)
        return upload


class SourceListView(generics.ListAPIView):
    """Sources uploaded for your country; uploading a file of encodings (multipart)."""

    serializer_class = SourceSerializer
    parser_classes = [MultiPartParser]
    policy_action = "statistics.source.upload"

    def get_queryset(self):
        return selectors.source_list(self.request.membership)

    @extend_schema(
        summary="Upload an agency's encodings file as a source",
        request={"multipart/form-data": SourceInputSerializer},
        responses={201: SourceSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = SourceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        source = services.external_source_upload(
            actor=request.membership,
            name=serializer.validated_data["name"],
            data=serializer.validated_data["file"].read(),
        )
        return Response(SourceSerializer(source).data, status=status.HTTP_201_CREATED)
