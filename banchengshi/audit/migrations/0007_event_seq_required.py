import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("audit", "0006_seal_existing_events")]

    operations = [
        migrations.AlterField(model_name="event", name="seq", field=models.PositiveBigIntegerField(unique=True, verbose_name="序号")),
        migrations.AlterField(
            model_name="event", name="case",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="events", to="cases.case", verbose_name="反映件"),
        ),
        migrations.AlterField(
            model_name="event", name="work_order",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.workorder", verbose_name="工单"),
        ),
        migrations.AlterField(
            model_name='event',
            name='action',
            field=models.CharField(choices=[('registered', '登记'), ('resolved_on_site', '现场办结'), ('not_accepted', '不予受理'), ('accepted', '受理'), ('merged', '并单'), ('duplicate_merged', '重复反映并入'), ('dispatched', '派单'), ('queued_for_manual_dispatch', '转人工派单'), ('work_order_created', '生成工单'), ('work_order_received', '接单'), ('work_order_returned', '退回工单'), ('returned_for_redispatch', '退回待重新派单'), ('dispatched_down', '向下派单'), ('assistance_requested', '发起协办'), ('reporter_contacted', '联系反映人'), ('note_added', '办理记录'), ('paused', '暂停计时'), ('resumed', '恢复计时'), ('replied', '答复'), ('assisting_replied', '协办答复'), ('submitted_for_review', '提交审核'), ('review_approved', '审核通过'), ('review_returned', '审核退回'), ('closed', '办结'), ('visited', '回访'), ('resupervised', '再督办'), ('notice_issued', '通报'), ('clock_recomputed', '时限重算'), ('clock_overdue', '超时'), ('attachment_added', '上传附件'), ('notice_acknowledged', '签收通报'), ('joint_meeting_convened', '召开联席会议'), ('joint_meeting_outcome', '联席会议议定'), ('follow_up_task_done', '交办任务完成'), ('calendar_updated', '工作日历调整'), ('calendar_published', '发布工作日历'), ('policy_updated', '时限规则调整'), ('unit_updated', '单位设置调整'), ('staff_created', '创建工作人员账号'), ('demo_password_reset', '重置演示账号密码'), ('work_order_chased', '催办'), ('work_order_withdrawn', '撤回协办工单'), ('reporter_objected', '反映人提出异议'), ('reporter_confirmed', '反映人确认办理结果'), ('reporter_rated', '反映人评价'), ('logged_in', '登录'), ('logged_out', '退出登录'), ('login_failed', '登录失败'), ('audit_log_exported', '导出审计日志'), ('audit_purged', '清理过期审计记录')], db_index=True, max_length=40, verbose_name='动作'),
        ),
    ]
